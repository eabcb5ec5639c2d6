provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  ip_filter {
    mode = "deny"
    list = ["192.0.2.0/24", "198.51.100.1/24", "10.0.0.0/33",
      "not-an-ip", "2001:db8::1/64", "203.0.113.9", "203.0.113.9/32"]
  }
}
