# The configuration `make demo` runs against the bundled mock SendGrid
# (seeded from examples/mock/seed.json). Credentials and the mock's URL
# come from SENDGRID_API_USER, SENDGRID_API_KEY and SENDGRID_BASE_URL.
terraform {
  required_providers {
    sendgrid = {
      source = "terraform-sendgrid/sendgrid"
    }
  }
}

provider "sendgrid" {}

# Which subuser sends from which IPs: one map, reviewed like any code.
locals {
  assignments = {
    # alice moves off the IP she shares with bob onto a free one.
    alice = ["203.0.113.10", "203.0.113.14"]
    # dave had no IP of his own; he gets the last free one.
    dave = ["203.0.113.15"]
  }
}

# The reseller's whole pool, to catch a mistyped IP at plan time.
data "sendgrid_ips" "all" {}

resource "sendgrid_subuser_ips" "this" {
  for_each = local.assignments

  user = each.key
  ips  = each.value

  lifecycle {
    precondition {
      condition     = length(setsubtract(each.value, data.sendgrid_ips.all.ips)) == 0
      error_message = "Every IP assigned to ${each.key} must belong to the reseller account."
    }
  }
}

# A capacity alert: warns (without failing the run) when the pool has no
# free IP left for the next subuser.
data "sendgrid_ips" "free" {
  list = "free"
}

check "free_ip_capacity" {
  assert {
    condition     = length(data.sendgrid_ips.free.ips) > 0
    error_message = "The reseller has no free IP left; buy one before onboarding another subuser."
  }
}
