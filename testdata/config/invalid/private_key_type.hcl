provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certificate {
      public_pem  = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"
      private_pem = ["l1st-s3cret"]
    }
  }
}
