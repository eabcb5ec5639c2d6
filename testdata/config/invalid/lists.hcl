provider "aliyun" {}

resource "cdn_domain" "a" {
  name = "a.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  referer {
    mode = "allow"
    list = ["*.example.com", "https://www.example.com/path", "Example.ORG",
      "example.org", "not a host"]
  }
  user_agent_filter {
    mode = "deny"
    list = ["BadBot", "OtherBot", "BadBot"]
  }
  compression {
    content_types = ["text/html", "html", "TEXT/HTML"]
    min_size      = -1
  }
}
