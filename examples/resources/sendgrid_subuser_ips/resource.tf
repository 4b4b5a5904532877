# The marketing subuser sends from exactly these two IPs. Anyone who
# changes them outside Terraform shows up as drift in the next plan.
resource "sendgrid_subuser_ips" "marketing" {
  user = "marketing"
  ips  = ["203.0.113.10", "203.0.113.11"]
}

# Name IPs literally: an IP taken from data.sendgrid_ips.free is no longer
# free once assigned, so the next plan would move the subuser again.
# on_destroy = "retain" keeps the IPs if this resource is ever removed.
resource "sendgrid_subuser_ips" "transactional" {
  user       = "transactional"
  ips        = ["203.0.113.14"]
  on_destroy = "retain"

  timeouts {
    create = "5m"
    update = "5m"
  }
}
