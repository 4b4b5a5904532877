# Adopt a warmup already running (Terraform 1.5 and later); on Terraform and
# OpenTofu 1.12 and later, identity = { ip = "203.0.113.13" } works too.
import {
  to = sendgrid_ip_warmup.new_ip
  id = "203.0.113.13"
}
