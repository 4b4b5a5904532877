# IPs no subuser uses yet.
data "sendgrid_ips" "free" {
  list = "free"
}

# Free IPs plus IPs held only by deactivated subusers.
data "sendgrid_ips" "available" {
  list = "available"
}

output "free_ips" {
  value = data.sendgrid_ips.free.ips
}
