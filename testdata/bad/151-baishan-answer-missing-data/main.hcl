provider "baishan" {
  endpoint = "EMULATOR_URL/v2"
  token    = "testtoken"
}

resource "cdn_domain" "web" {
  name = "www.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}
