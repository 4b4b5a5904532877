# Adopt every existing IP pool into sendgrid_ip_pool with one apply
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

data "sendgrid_ip_pools" "existing" {
  # name_prefix = "brand-" to adopt some of them only.
}

locals {
  existing = { for p in data.sendgrid_ip_pools.existing.pools : p.name => p }
}

# The import ID of sendgrid_ip_pool is the pool's name.
import {
  for_each = local.existing
  to       = sendgrid_ip_pool.adopted[each.key]
  id       = each.key
}

resource "sendgrid_ip_pool" "adopted" {
  for_each = local.existing
  name     = each.key
  ips      = each.value.ips
}

output "adopted_pools" {
  value = { for name, p in sendgrid_ip_pool.adopted : name => sort(p.ips) }
}
