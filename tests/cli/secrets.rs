//! Secrets never leak: a full run on all three vendors — validate, plan
//! with a saved plan, show -json, apply of the plan file, plan -json,
//! drift -json, output, state pull, a run with a wrong secret, destroy —
//! with `CDNFORM_LOG=debug`, then every byte it printed and every file it
//! left is scanned for the credentials and the private key.

use crate::common::{baishan_block, Emu, Project, Run};
use std::path::Path;

const ALIYUN_SECRET: &str = "AliyunSecret-7f3c91d2e8";
const BAISHAN_TOKEN: &str = "BaishanToken-51ab77c0d4";
const CTG_SECRET: &str = "CtgSecret-c19e20aa6b";
const KEY_MATERIAL: &str = "KEYMATERIALd41d8cd98f00b204e9800998ecf8427e";
const WRONG_SECRET: &str = "WrongSecret-0a0b0c0d0e";

fn key() -> String {
    format!("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIE{KEY_MATERIAL}\n-----END PRIVATE KEY-----")
}

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBCERTMATERIAL\n-----END CERTIFICATE-----";

fn config(url: &str) -> String {
    format!(
        r#"provider "aliyun" {{
  endpoint = "{url}"
}}
{baishan}provider "ctg" {{
  endpoint   = "{url}"
  access_key = "testid"
}}

variable "key" {{
  type      = string
  sensitive = true
}}

resource "cdn_domain" "a" {{
  provider = aliyun
  name     = "a.example.com"
  origin {{
    type    = "ip"
    address = "192.0.2.1"
  }}
  https {{
    certificate {{
      public_pem  = <<-EOT
{CERT}
EOT
      private_pem = var.key
    }}
  }}
}}

resource "cdn_domain" "b" {{
  provider = baishan
  name     = "b.example.com"
  origin {{
    type    = "ip"
    address = "192.0.2.2"
  }}
}}

resource "cdn_domain" "c" {{
  provider = ctg
  name     = "c.example.com"
  origin {{
    type    = "ip"
    address = "192.0.2.3"
  }}
}}

output "key_digest" {{
  value = cdn_domain.a.https.certificate.private_pem
}}

output "key" {{
  value     = var.key
  sensitive = true
}}
"#,
        baishan = baishan_block(url).replace("  token    = \"testtoken\"\n", "")
    )
}

fn scan(what: &str, text: &str) {
    for secret in [
        ALIYUN_SECRET,
        BAISHAN_TOKEN,
        CTG_SECRET,
        KEY_MATERIAL,
        WRONG_SECRET,
    ] {
        assert!(
            !text.contains(secret),
            "{what} contains the secret {secret}:\n{text}"
        );
    }
}

fn scan_dir(dir: &Path) -> usize {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files += scan_dir(&path);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            scan(
                &path.display().to_string(),
                &String::from_utf8_lossy(&bytes),
            );
            files += 1;
        }
    }
    files
}

#[test]
fn no_secret_in_any_output_or_file_of_a_full_run() {
    let emu = Emu::start_with(|c| {
        c.aliyun_keys = vec![("scanid".into(), ALIYUN_SECRET.into())];
        c.baishan_tokens = vec![BAISHAN_TOKEN.into()];
        c.ctg_keys = vec![("testid".into(), CTG_SECRET.into())];
    });
    let p = Project::new();
    p.write("main.hcl", &config(&emu.url()));
    let key = key();
    let env = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "scanid"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", ALIYUN_SECRET),
        ("BAISHAN_TOKEN", BAISHAN_TOKEN),
        ("CTG_SECRET_KEY", CTG_SECRET),
        ("CDNFORM_VAR_key", key.as_str()),
        ("CDNFORM_LOG", "debug"),
    ];
    let run = |args: &[&str]| -> Run {
        let r = p.run_env(args, &env);
        scan(&format!("cdnform {}", args.join(" ")), &r.all());
        r
    };
    let r = run(&["validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = run(&["plan", "-out", "plan.bin"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("debug: aliyun: calling"),
        "debug log on: {r:?}"
    );
    assert_eq!(run(&["show", "-json", "plan.bin"]).code, 0);
    let r = run(&["apply", "plan.bin"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(run(&["plan", "-json", "-detailed-exitcode"]).code, 0);
    assert_eq!(run(&["drift", "-json"]).code, 0);
    let r = run(&["output", "-json"]);
    assert!(
        r.stdout.contains("sha256:"),
        "the digest, never the key: {r:?}"
    );
    assert_eq!(run(&["state", "pull"]).code, 0);
    assert_eq!(run(&["graph"]).code, 0);

    // A wrong secret: the vendor refuses; the message names the action,
    // never the secret.
    let mut wrong = env;
    wrong[1] = ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", WRONG_SECRET);
    let r = p.run_env(&["plan"], &wrong);
    assert_eq!(r.code, 1, "{r:?}");
    scan("plan with a wrong secret", &r.all());

    assert_eq!(run(&["destroy", "-auto-approve"]).code, 0);
    let files = scan_dir(p.path());
    assert!(files >= 3, "state, backup and plan file scanned ({files})");
}
