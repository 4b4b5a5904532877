# Every pool whose name starts with "brand-", with its IPs.
data "sendgrid_ip_pools" "brands" {
  name_prefix = "brand-"
}

output "brand_pools" {
  value = { for p in data.sendgrid_ip_pools.brands.pools : p.name => p.ips }
}
