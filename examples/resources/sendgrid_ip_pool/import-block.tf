# Terraform 1.5 and later: import with a block, and let Terraform write the
# configuration with `terraform plan -generate-config-out=generated.tf`.
import {
  to = sendgrid_ip_pool.transactional
  id = "transactional"
}
