origin_ips = ["192.0.2.10", "192.0.2.11"]
precedence = "file"
unknown_in_file = 1
