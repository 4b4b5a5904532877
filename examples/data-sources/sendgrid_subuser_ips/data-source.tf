# Look at a subuser that Terraform does not manage.
data "sendgrid_subuser_ips" "legacy" {
  user = "legacy-newsletter"
}

output "legacy_ips" {
  value = data.sendgrid_subuser_ips.legacy.ips
}
