# Adopt every existing subuser into sendgrid_subuser_ips with one apply
# (Terraform 1.7+: import blocks with for_each). The next plan is empty.
terraform {
  required_version = ">= 1.7"
  required_providers {
    sendgrid = {
      source = "terraform-sendgrid/sendgrid"
    }
  }
}

provider "sendgrid" {}

data "sendgrid_subusers" "existing" {
  # name_prefix = "team-" to adopt some of them only.
}

locals {
  existing = { for s in data.sendgrid_subusers.existing.subusers : s.name => s }
}

# The import ID of sendgrid_subuser_ips is the subuser's name.
import {
  for_each = local.existing
  to       = sendgrid_subuser_ips.adopted[each.key]
  id       = each.key
}

resource "sendgrid_subuser_ips" "adopted" {
  for_each = local.existing
  user     = each.key
  ips      = each.value.ips
}

# After the adopting apply, `terraform output -json adopted_ips > subusers.json`
# freezes the IPs into the configuration (see the sendgrid_subusers page).
output "adopted_ips" {
  value = { for name, r in sendgrid_subuser_ips.adopted : name => sort(r.ips) }
}
