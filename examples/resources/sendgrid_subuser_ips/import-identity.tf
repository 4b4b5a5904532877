# Terraform and OpenTofu 1.12 and later: import by resource identity, the
# subuser's name (the form `terraform query` lists).
import {
  to       = sendgrid_subuser_ips.transactional
  identity = { user = "transactional" }
}
