provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  response_header {
    name  = "X-Frame-Options"
    value = "DENY"
  }
  response_header {
    name  = "x-frame-options"
    value = "SAMEORIGIN"
  }
  response_header {
    name  = "X Bad"
    value = "a\nb"
  }
  origin_request_header {
    name  = "X-Real-IP"
    value = "1"
  }
  origin_request_header {
    name  = "X-Real-IP"
    value = "2"
  }
}
