# The marketing subuser sends from exactly these two IPs. Anyone who
# changes them outside Terraform shows up as drift in the next plan.
resource "sendgrid_subuser_ips" "marketing" {
  user = "marketing"
  ips  = ["203.0.113.10", "203.0.113.11"]
}

# Give a new subuser the first free IP of the reseller account, and keep
# its IPs if this resource is ever removed from the configuration.
data "sendgrid_ips" "free" {
  list = "free"
}

resource "sendgrid_subuser_ips" "transactional" {
  user       = "transactional"
  ips        = [data.sendgrid_ips.free.ips[0]]
  on_destroy = "retain"

  timeouts {
    create = "5m"
    update = "5m"
  }
}
