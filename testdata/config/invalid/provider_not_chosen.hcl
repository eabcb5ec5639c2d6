provider "aliyun" {
  alias = "eu"
}

provider "aliyun" {
  alias = "us"
}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
