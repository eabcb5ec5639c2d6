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

  cache_rule {
    match    = "path"
    patterns = ["/p0.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p1.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p2.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p3.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p4.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p5.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p6.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p7.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p8.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p9.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p10.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p11.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p12.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p13.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p14.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p15.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p16.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p17.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p18.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p19.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p20.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p21.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p22.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p23.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p24.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p25.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p26.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p27.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p28.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p29.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p30.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p31.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p32.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p33.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p34.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p35.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p36.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p37.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p38.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p39.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p40.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p41.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p42.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p43.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p44.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p45.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p46.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p47.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p48.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p49.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p50.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p51.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p52.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p53.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p54.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p55.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p56.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p57.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p58.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p59.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p60.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p61.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p62.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p63.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p64.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p65.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p66.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p67.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p68.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p69.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p70.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p71.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p72.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p73.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p74.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p75.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p76.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p77.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p78.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p79.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p80.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p81.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p82.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p83.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p84.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p85.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p86.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p87.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p88.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p89.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p90.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p91.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p92.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p93.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p94.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p95.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p96.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p97.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p98.html"]
    ttl      = "1h"
  }

  cache_rule {
    match    = "path"
    patterns = ["/p99.html"]
    ttl      = "1h"
  }
}
