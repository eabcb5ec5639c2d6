provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certificate {
      id = "cert-1"
    }
  }
  https {
    http2 = true
  }
  ip_filter {
    mode = "allow"
    list = ["192.0.2.0/24"]
  }
  ip_filter {
    mode = "deny"
    list = ["198.51.100.0/24"]
  }
}

resource "cdn_domain" "b" {
  name = "b.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    http2 = true
  }
  referer {
    mode = "allow"
    list = ["*.example.com"]
  }
  referer {
    mode = "deny"
    list = ["bad.example.com"]
  }
  user_agent_filter {
    mode = "deny"
    list = ["BadBot"]
  }
  user_agent_filter {
    mode = "allow"
    list = ["GoodBot"]
  }
}
