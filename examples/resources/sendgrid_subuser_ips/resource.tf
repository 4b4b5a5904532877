# The marketing subuser sends from exactly these two IPs. Anyone who
# changes them outside Terraform shows up as drift in the next plan.
# create_before_destroy: a replacement writes the new set before the old
# object's on_destroy, which is then skipped, so the subuser is never empty.
resource "sendgrid_subuser_ips" "marketing" {
  user = "marketing"
  ips  = ["203.0.113.10", "203.0.113.11"]

  lifecycle {
    create_before_destroy = true
  }
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
