//! `tongban bench seal`: SM2 with SM3 signatures and verifications per second on one core with
//! our seal (RustCrypto `sm2` behind `Signer`), against `openssl speed sm2` run in the same
//! command on the same machine. The message is a licence's canonical form (about 1 KiB).

use std::process::Command;
use std::time::{Duration, Instant};
use tongban_crypto::seal::{self, Signer, SoftwareSeal};

#[derive(clap::Args)]
pub struct Options {
    /// Seconds each measurement lasts.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
}

/// Operations per second of `f`, on this thread, for `time`; fails if any operation failed.
fn rate(time: Duration, mut f: impl FnMut() -> bool) -> anyhow::Result<f64> {
    let start = Instant::now();
    let (mut n, mut failed) = (0u64, 0u64);
    while start.elapsed() < time {
        if f() {
            n += 1;
        } else {
            failed += 1;
        }
    }
    anyhow::ensure!(failed == 0, "{failed} of {} operations failed", n + failed);
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// `openssl speed -seconds N sm2`: (sign/s, verify/s), from its table's `SM2` line.
fn openssl(seconds: u64) -> anyhow::Result<(f64, f64)> {
    let out = Command::new("openssl").args(["speed", "-seconds", &seconds.to_string(), "sm2"]).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("SM2")).ok_or_else(|| anyhow::anyhow!("no SM2 line: {text}"))?;
    let nums: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    // "256 bits SM2 (CurveSM2)   0.0002s   0.0002s   4347.5   4447.0": the last two.
    match nums[..] {
        [.., sign, verify] => Ok((sign, verify)),
        _ => anyhow::bail!("unreadable SM2 line: {line}"),
    }
}

pub fn run(o: Options) -> anyhow::Result<()> {
    let time = Duration::from_secs(o.seconds.max(1));
    let key = SoftwareSeal::generate("bench-1")?;
    let public = key.public_key();
    let message = vec![b'x'; 1024];
    let signature = key.sign(&message)?;
    anyhow::ensure!(seal::verify(&public, &message, &signature), "the signature does not verify");
    // Every signature made in the loop must verify: a failed or wrong one fails the run.
    let mut made = Vec::new();
    let sign = rate(time, || match key.sign(&message) {
        Ok(s) => {
            if made.len() < 64 {
                made.push(s);
            }
            true
        }
        Err(_) => false,
    })?;
    anyhow::ensure!(
        made.iter().all(|s| seal::verify(&public, &message, s)),
        "a signature made in the loop does not verify"
    );
    let verify = rate(time, || seal::verify(&public, &message, &signature))?;
    println!("ours (RustCrypto sm2, 1 core): {sign:.0} sign/s, {verify:.0} verify/s");
    match openssl(o.seconds.max(1)) {
        Ok((os_sign, os_verify)) => {
            println!("baseline (openssl speed sm2, 1 core): {os_sign:.0} sign/s, {os_verify:.0} verify/s");
            println!(
                "ratio ours/openssl: sign {:.2}×, verify {:.2}× (target ≥ 0.5×)",
                sign / os_sign,
                verify / os_verify
            );
        }
        Err(e) => println!("baseline not measured: openssl speed sm2 failed: {e}"),
    }
    Ok(())
}
