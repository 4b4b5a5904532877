# Every active subuser whose name starts with "mkt-", with its IPs.
data "sendgrid_subusers" "marketing" {
  name_prefix = "mkt-"
  active_only = true
}

output "marketing_ips" {
  value = { for s in data.sendgrid_subusers.marketing.subusers : s.name => s.ips }
}
