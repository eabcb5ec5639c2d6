provider "aliyun" {}

variable "key" {
  type      = string
  sensitive = true
  default   = "s3cr3t-key-material"
}

resource "cdn_domain" "both" {
  name = "both.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certificate {
      id          = "cert-1"
      public_pem  = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"
      private_pem = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"
    }
  }
}

resource "cdn_domain" "key_only" {
  name = "key-only.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certificate {
      private_pem = "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"
    }
  }
}

resource "cdn_domain" "bad_pem" {
  name = "bad-pem.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certificate {
      public_pem  = "not a certificate"
      private_pem = "pr1vate-n0t-a-pem"
    }
  }
}

resource "cdn_domain" "secret_key" {
  name = "secret-key.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certificate {
      public_pem  = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"
      private_pem = var.key
    }
  }
}

resource "cdn_domain" "empty" {
  name = "empty.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
  https {
    certificate {}
  }
}
