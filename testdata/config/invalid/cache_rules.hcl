provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  cache_rule {
    match    = "extension"
    patterns = ["jpg", ".png", "img/gif"]
    ttl      = "1w"
  }
  cache_rule {
    match    = "directory"
    patterns = ["static/"]
    ttl      = "731d"
    priority = 120
  }
  cache_rule {
    match    = "path"
    patterns = ["index.html"]
    ttl      = "1h"
  }
  cache_rule {
    match    = "regex"
    patterns = ["^/a/(b"]
    ttl      = "1h"
  }
  cache_rule {
    match    = "extension"
    patterns = []
    ttl      = "1h"
  }
  cache_rule {
    match    = "extension"
    patterns = ["css", "jpg"]
    ttl      = "10m"
  }
}
