# Terraform and OpenTofu 1.12 and later: import by resource identity, the
# pool's name (the form `terraform query` lists).
import {
  to       = sendgrid_ip_pool.marketing
  identity = { name = "marketing" }
}
