provider "aliyun" {}

resource "cdn_domain" "a" {
  name = cdn_domain.web.enabled ? "a.example.com" : "b.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
    port    = cdn_domain.web.origins[0].port + 1
  }
}

resource "cdn_domain" "web" {
  name = "web.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
