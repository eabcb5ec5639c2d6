provider "aliyun" {}

resource "cdn_domain" "web" {
  name = "web.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  ip_filter {
    mode = "allow"
    list = [cdn_domain.web.origins[0].address, "192.0.2.1/24"]
  }
  cache_rule {
    match    = "extension"
    patterns = ["jpg"]
    ttl      = cdn_domain.web.cname
  }
}
