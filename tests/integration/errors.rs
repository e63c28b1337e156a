//! Bad input: every file of tests/bad/ gets a located diagnostic (snapshotted, so a message that
//! gets worse is caught), and the CLI answers bad input with exit code 2 and nothing on stdout.

use lode::error::{Error, render};
use lode::lower::Options;
use lode::scenario;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A path under the repository, relative to it (tests run from the repository root).
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(ROOT)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// Shape and reference checks together, as every command runs them.
fn check(path: &Path) -> Result<(), Error> {
    lode::commands::load_and_lower(Some(path), &Options::default())?;
    Ok(())
}

/// Files of tests/bad/ that are valid on purpose (parents of overlay cases).
const VALID: &[&str] = &["parent.toml"];

#[test]
fn every_bad_scenario_gets_a_located_diagnostic() {
    insta::glob!("../bad", "*.toml", |path| {
        let rel = relative(path);
        let name = rel
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let rendered = match check(&rel) {
            Ok(()) => {
                assert!(
                    VALID.contains(&name.as_str()),
                    "{} was accepted",
                    rel.display()
                );
                "ok".to_string()
            }
            Err(e) => {
                assert!(
                    !VALID.contains(&name.as_str()),
                    "{}: {}",
                    rel.display(),
                    render(&e)
                );
                let text = render(&e);
                // Every diagnostic names the file, with a line and column.
                let shown = rel.display().to_string();
                let located = text.lines().any(|l| {
                    l.find(&format!("[{shown}:")).is_some_and(|i| {
                        let rest = &l[i + shown.len() + 2..];
                        let mut parts = rest.trim_end_matches(']').split(':');
                        parts.next().is_some_and(|x| x.parse::<usize>().is_ok())
                            && parts.next().is_some_and(|x| x.parse::<usize>().is_ok())
                    })
                });
                let names_other = text.contains("[tests/bad/");
                assert!(
                    located || names_other,
                    "{shown}: no file:line:col in\n{text}"
                );
                assert!(!text.contains(ROOT), "{shown}: absolute path in\n{text}");
                text
            }
        };
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn several_problems_of_one_file_are_all_reported() {
    let count = |file: &str| match check(Path::new(file)) {
        Err(Error::Invalid { count, .. }) => count,
        Err(e) => panic!("{file}: unexpected {}", render(&e)),
        Ok(()) => panic!("{file} was accepted"),
    };
    assert_eq!(count("tests/bad/many-errors.toml"), 5);
    assert_eq!(count("tests/bad/many-reference-errors.toml"), 4);
    assert_eq!(count("tests/bad/undeclared.toml"), 5);
    assert_eq!(count("tests/bad/wrong-type.toml"), 3);
    assert_eq!(count("tests/bad/csv-many-problems.toml"), 4);
    assert_eq!(count("tests/bad/csv-load-errors.toml"), 6);
}

#[test]
fn problems_of_shape_and_of_reference_are_reported_together() {
    // An unknown key (shape) and a misspelt mineral (reference) in one file: both, in one run.
    let both = "[scenario]\nname = \"t\"\ndescription = \"t\"\nreference_year = 2025\ndefault_source = \"test\"\n\n[[stage]]\nid = \"mining\"\nname = \"Mining\"\n\n[[mineral]]\nid = \"cobalt\"\nname = \"Cobalt\"\n\n[[country]]\nid = \"COD\"\nname = \"DR Congo\"\ncolour = \"blue\"\n\n[[share]]\nmineral = \"cobolt\"\nstage = \"mining\"\ncountry = \"COD\"\nyear = 2024\npercent = 70\n";
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("shape-and-reference.toml");
    std::fs::write(&path, both).expect("write");
    let err = check(&path).expect_err("two problems");
    let text = render(&err);
    assert!(matches!(err, Error::Invalid { count: 2, .. }), "{text}");
    assert!(text.contains("unknown key `colour` in `country`"), "{text}");
    assert!(
        text.contains("unknown mineral `cobolt` in `share`"),
        "{text}"
    );
    // In file order: the key (line 18) before the mineral (line 21).
    assert!(
        text.find("colour").unwrap_or(0) < text.find("cobolt").unwrap_or(0),
        "{text}"
    );
    // The same through the command line, and across a TOML file and its CSV table.
    assert_usage_error(
        &["check", &path.to_string_lossy()],
        "unknown mineral `cobolt`",
    );
    let out = lode(&["check", "tests/bad/csv-shape-and-references.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for expect in [
        "unknown key `sorce` in `share`",
        "unknown country `CHM` in `share`",
        "unknown column `comment` in the `share` table",
        "unknown mineral `galium` in `share`",
        "[tests/bad/csv/shape-and-references.csv:4:1]",
    ] {
        assert!(stderr.contains(expect), "{expect} in\n{stderr}");
    }
}

// ---- the command line -------------------------------------------------------------------------

fn lode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("run lode")
}

fn assert_usage_error(args: &[&str], expect: &str) {
    let out = lode(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "lode {args:?}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "lode {args:?} printed to stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains(expect),
        "lode {args:?}: expected {expect:?} in\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "lode {args:?} panicked:\n{stderr}"
    );
}

#[test]
fn bad_files_exit_2_with_nothing_on_stdout() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("tests/bad"))
        .expect("tests/bad")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| relative(&p))
        .filter(|p| !VALID.iter().any(|v| p.ends_with(v)))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus shrank: {}", files.len());
    for f in &files {
        let f = f.to_string_lossy();
        let name = f.rsplit('/').next().unwrap_or_default();
        assert_usage_error(&["run", &f], name);
        assert_usage_error(&["check", &f], name);
    }
}

#[test]
fn malformed_set_values() {
    assert_usage_error(
        &["run", "--set", "dominant_share"],
        "not of the form name=value",
    );
    assert_usage_error(
        &["run", "--set", "dominant_shar=40"],
        "did you mean `dominant_share`?",
    );
    assert_usage_error(&["run", "--set", "dominant_share=forty"], "is not a number");
    assert_usage_error(&["run", "--set", "dominant_share=NaN"], "dominant_share");
    assert_usage_error(&["run", "--set", "dominant_share=inf"], "dominant_share");
    assert_usage_error(&["run", "--set", "dominant_share=140"], "between 0 and 100");
    assert_usage_error(&["run", "--set", "=40"], "unknown parameter");
}

#[test]
fn malformed_as_of() {
    assert_usage_error(&["run", "--as-of", "2025-02-30"], "is not a date");
    assert_usage_error(&["run", "--as-of", "yesterday"], "is not a date");
    assert_usage_error(&["run", "--as-of", "99999-01-01"], "is not a date");
}

#[test]
fn unknown_relation() {
    assert_usage_error(
        &["run", "--relation", "RiskLevl"],
        "did you mean `RiskLevel`?",
    );
    assert_usage_error(
        &["run", "--relation", "Nothing"],
        "unknown relation `Nothing`",
    );
}

#[test]
fn missing_and_directory_paths() {
    assert_usage_error(&["run", "tests/bad/no-such-file.toml"], "no such file");
    assert_usage_error(&["run", "tests/bad"], "is a directory");
}

#[test]
fn files_past_the_size_limit_are_refused() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("too-large.toml");
    // A sparse file: its length passes the limit without writing the bytes.
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(scenario::MAX_FILE_BYTES + 1).expect("set_len");
    drop(file);
    let p = path.to_string_lossy();
    assert_usage_error(&["run", &p], "lode::too_large");
    assert_usage_error(&["check", &p], &scenario::MAX_FILE_BYTES.to_string());
    let _ = std::fs::remove_file(&path);
}

#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    // `lode run` writes its listing as it formats it: the pipe closes mid-listing.
    for args in [&["run", "--all"][..], &["run", "--all", "--format", "json"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
            .args(args)
            .current_dir(ROOT)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn lode");
        // Read one line, as `head -1` does, then close the pipe.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 16];
        let _ = std::io::Read::read(&mut stdout, &mut first);
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: stderr: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: stderr: {stderr}");
    }
}

#[test]
fn output_to_head_via_the_shell_ends_quietly() {
    let bin = env!("CARGO_BIN_EXE_lode");
    for args in ["run --all", "run --all --format json"] {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; '{bin}' {args} | head -1; echo \"exit=$?\" >&2"
            ))
            .current_dir(ROOT)
            .output()
            .expect("sh");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args}: {stderr}"
        );
        assert!(stderr.contains("exit=0"), "{args}: {stderr}");
    }
}

#[test]
fn the_bundled_baseline_runs_from_any_directory() {
    // Its tables come from the copies embedded in the binary, not from the working directory.
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(["run", "-r", "RiskLevel"])
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run lode");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("RiskLevel"));
}

#[test]
fn generated_tables_load_and_cite_their_rows() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gen-tables/");
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_string_lossy().to_string();
    let out = lode(&["gen", "--facts", "300", "--seed", "5", "--out", &d]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("share.csv").is_file());
    let toml = dir.join("scenario.toml").to_string_lossy().to_string();
    let out = lode(&["check", &toml]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A row's place (file:line:col) shows in explain.
    let run = lode(&["run", &toml, "-r", "RiskLevel"]);
    let text = String::from_utf8_lossy(&run.stdout);
    // A data line of `lode run` pastes into explain as it is.
    let query = text
        .lines()
        .find(|l| l.starts_with("  RiskLevel("))
        .expect("a RiskLevel row")
        .split('#')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let out = lode(&["explain", &toml, &query]);
    let proof = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{query}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        proof
            .lines()
            .any(|l| l.contains("share.csv:") || l.contains("reliance.csv:")),
        "{proof}"
    );
}
