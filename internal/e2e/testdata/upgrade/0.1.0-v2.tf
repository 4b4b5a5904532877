resource "sendgrid_subuser_ips" "alice" {
  user = "alice"
  ips  = ["192.0.2.1", "192.0.2.2"]
}

resource "sendgrid_subuser_ips" "bob" {
  user       = "bob"
  ips        = ["192.0.2.3"]
  on_destroy = "retain"
}
