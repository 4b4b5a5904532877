# Mail sent with ip_pool_name = "transactional" leaves from these two IPs.
# Each IP must be on the account and have reverse DNS. create_before_destroy:
# a new name creates the new pool (with its IPs) before the old one is deleted.
resource "sendgrid_ip_pool" "transactional" {
  name = "transactional"
  ips  = ["203.0.113.10", "203.0.113.11"]

  lifecycle {
    create_before_destroy = true
  }

  # SendGrid says an IP added to a pool can take up to 60 seconds to show;
  # an apply waits for it within these limits.
  timeouts {
    create = "3m"
    update = "3m"
  }
}

# An IP may be in several pools.
resource "sendgrid_ip_pool" "marketing" {
  name = "marketing"
  ips  = ["203.0.113.11", "203.0.113.12"]
}
