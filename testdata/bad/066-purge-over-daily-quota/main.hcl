provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "web" {
  name = "www.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}

resource "cdn_purge" "all" {
  directories = ["https://www.example.com/d0/", "https://www.example.com/d1/", "https://www.example.com/d2/", "https://www.example.com/d3/", "https://www.example.com/d4/", "https://www.example.com/d5/", "https://www.example.com/d6/", "https://www.example.com/d7/", "https://www.example.com/d8/", "https://www.example.com/d9/", "https://www.example.com/d10/", "https://www.example.com/d11/", "https://www.example.com/d12/", "https://www.example.com/d13/", "https://www.example.com/d14/", "https://www.example.com/d15/", "https://www.example.com/d16/", "https://www.example.com/d17/", "https://www.example.com/d18/", "https://www.example.com/d19/", "https://www.example.com/d20/", "https://www.example.com/d21/", "https://www.example.com/d22/", "https://www.example.com/d23/", "https://www.example.com/d24/", "https://www.example.com/d25/", "https://www.example.com/d26/", "https://www.example.com/d27/", "https://www.example.com/d28/", "https://www.example.com/d29/", "https://www.example.com/d30/", "https://www.example.com/d31/", "https://www.example.com/d32/", "https://www.example.com/d33/", "https://www.example.com/d34/", "https://www.example.com/d35/", "https://www.example.com/d36/", "https://www.example.com/d37/", "https://www.example.com/d38/", "https://www.example.com/d39/", "https://www.example.com/d40/", "https://www.example.com/d41/", "https://www.example.com/d42/", "https://www.example.com/d43/", "https://www.example.com/d44/", "https://www.example.com/d45/", "https://www.example.com/d46/", "https://www.example.com/d47/", "https://www.example.com/d48/", "https://www.example.com/d49/", "https://www.example.com/d50/", "https://www.example.com/d51/", "https://www.example.com/d52/", "https://www.example.com/d53/", "https://www.example.com/d54/", "https://www.example.com/d55/", "https://www.example.com/d56/", "https://www.example.com/d57/", "https://www.example.com/d58/", "https://www.example.com/d59/", "https://www.example.com/d60/", "https://www.example.com/d61/", "https://www.example.com/d62/", "https://www.example.com/d63/", "https://www.example.com/d64/", "https://www.example.com/d65/", "https://www.example.com/d66/", "https://www.example.com/d67/", "https://www.example.com/d68/", "https://www.example.com/d69/", "https://www.example.com/d70/", "https://www.example.com/d71/", "https://www.example.com/d72/", "https://www.example.com/d73/", "https://www.example.com/d74/", "https://www.example.com/d75/", "https://www.example.com/d76/", "https://www.example.com/d77/", "https://www.example.com/d78/", "https://www.example.com/d79/", "https://www.example.com/d80/", "https://www.example.com/d81/", "https://www.example.com/d82/", "https://www.example.com/d83/", "https://www.example.com/d84/", "https://www.example.com/d85/", "https://www.example.com/d86/", "https://www.example.com/d87/", "https://www.example.com/d88/", "https://www.example.com/d89/", "https://www.example.com/d90/", "https://www.example.com/d91/", "https://www.example.com/d92/", "https://www.example.com/d93/", "https://www.example.com/d94/", "https://www.example.com/d95/", "https://www.example.com/d96/", "https://www.example.com/d97/", "https://www.example.com/d98/", "https://www.example.com/d99/", "https://www.example.com/d100/"]
}
