//! Command-line options of the demo server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser};
use humantime::format_duration;
use renew_fetch::server::{ConfigError, MAX_SESSION_CAP};

/// The folder of the demo page, which loads the client from /pkg.
pub const DEMO_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www");

/// Serves the renew-fetch demo page and a small token-protected API.
///
/// The token timings default to short values, so a renewal and an overdue replay happen within
/// a couple of minutes of logging in.
#[derive(Debug, Parser)]
#[command(name = "renew-fetch-demo", version)]
pub struct Options {
    /// Address to listen on. Only loopback addresses are accepted.
    #[arg(long, env = "RENEW_FETCH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Lifetime of each issued token, such as "2m" or "2h".
    #[arg(long, env = "RENEW_FETCH_TOKEN_LIFETIME", default_value = "2m", value_parser = parse_duration)]
    pub token_lifetime: Duration,

    /// Time before expiry in which a response carries a renewed token.
    #[arg(long, env = "RENEW_FETCH_RENEW_WINDOW", default_value = "1m", value_parser = parse_duration)]
    pub renew_window: Duration,

    /// Time after expiry in which the server responds overdue with a renewed token.
    #[arg(long, env = "RENEW_FETCH_GRACE_PERIOD", default_value = "2m", value_parser = parse_duration)]
    pub grace_period: Duration,

    /// Maximum length of a session, measured from the login.
    #[arg(long, env = "RENEW_FETCH_SESSION_CAP", default_value = "30m", value_parser = parse_duration)]
    pub session_cap: Duration,

    /// File that contains the HMAC secret (at least 32 bytes), read as bytes without its final line
    /// ending. Overrides RENEW_FETCH_SECRET.
    #[arg(long, env = "RENEW_FETCH_SECRET_FILE")]
    pub secret_file: Option<PathBuf>,

    /// Folder served at /: the demo page, or a built app of your own, such as examples/vite/dist.
    /// A page load of a path that names no file, such as a client-side route, gets its index.html.
    #[arg(long, env = "RENEW_FETCH_WWW", default_value = DEMO_PAGE)]
    pub www: PathBuf,

    /// Folder of the npm package that scripts/build-pkg.sh builds, served under /pkg, from which
    /// the demo page loads the client.
    #[arg(long, env = "RENEW_FETCH_PKG", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg"))]
    pub pkg: PathBuf,

    /// Mounts the misbehaving-server routes under /scenario and `POST /test/clock/advance`, for
    /// tests, and lets the origin "null" of a sandboxed frame read /scenario and /pkg. Never turn
    /// this on for a server that others can reach.
    #[arg(long, env = "RENEW_FETCH_SCENARIOS")]
    pub scenarios: bool,

    /// The source of each token setting's value, so that an error can tell a default from a
    /// value that the user gave. Set by [`Options::try_parse_args`].
    #[arg(skip)]
    pub origins: Origins,
}

/// The source of a setting's value: a flag, an environment variable or the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    #[default]
    CommandLine,
    Environment,
    Default,
}

/// The [`Origin`] of each token setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    pub token_lifetime: Origin,
    pub renew_window: Origin,
    pub grace_period: Origin,
    pub session_cap: Origin,
}

/// A token setting of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setting {
    TokenLifetime,
    RenewWindow,
    GracePeriod,
    SessionCap,
}

impl Setting {
    /// Returns the setting whose name [`ConfigError::SubSecond`] carries, the name of the
    /// builder method.
    fn from_builder_name(name: &str) -> Option<Self> {
        match name {
            "token_lifetime" => Some(Self::TokenLifetime),
            "renew_window" => Some(Self::RenewWindow),
            "grace_period" => Some(Self::GracePeriod),
            "session_cap" => Some(Self::SessionCap),
            _ => None,
        }
    }

    fn flag(self) -> &'static str {
        match self {
            Self::TokenLifetime => "--token-lifetime",
            Self::RenewWindow => "--renew-window",
            Self::GracePeriod => "--grace-period",
            Self::SessionCap => "--session-cap",
        }
    }

    fn variable(self) -> &'static str {
        match self {
            Self::TokenLifetime => "RENEW_FETCH_TOKEN_LIFETIME",
            Self::RenewWindow => "RENEW_FETCH_RENEW_WINDOW",
            Self::GracePeriod => "RENEW_FETCH_GRACE_PERIOD",
            Self::SessionCap => "RENEW_FETCH_SESSION_CAP",
        }
    }
}

impl Options {
    /// Parses the arguments and the environment, as [`Parser::try_parse_from`] does, and
    /// records in [`Options::origins`] where each token setting got its value.
    pub fn try_parse_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Self::command().try_get_matches_from(args)?;
        let mut options = Self::from_arg_matches(&matches)?;
        let origin = |id: &str| match matches.value_source(id) {
            Some(ValueSource::DefaultValue) => Origin::Default,
            Some(ValueSource::EnvVariable) => Origin::Environment,
            _ => Origin::CommandLine,
        };
        options.origins = Origins {
            token_lifetime: origin("token_lifetime"),
            renew_window: origin("renew_window"),
            grace_period: origin("grace_period"),
            session_cap: origin("session_cap"),
        };
        Ok(options)
    }

    /// Describes an error of `AuthConfigBuilder::build` in terms of the command line: the flags,
    /// their values, and whether a value is the default or comes from an environment variable.
    /// Errors of settings that have no flag keep the library's message.
    pub fn describe_config_error(&self, error: &ConfigError) -> String {
        use Setting::*;
        match error {
            ConfigError::SubSecond { setting, value } => {
                match Setting::from_builder_name(setting) {
                    Some(setting) => format!(
                        "{} has a fraction of a second, but token times are whole seconds; set {} \
                         to whole seconds, such as 90s",
                        self.describe(setting, *value),
                        setting.flag()
                    ),
                    None => error.to_string(),
                }
            }
            ConfigError::LifetimeTooLong { lifetime } => format!(
                "{} is longer than the maximum session cap of {}, and no token may outlive its \
                 session; set {} below {} and {} above it",
                self.describe(TokenLifetime, *lifetime),
                format_duration(MAX_SESSION_CAP),
                TokenLifetime.flag(),
                format_duration(MAX_SESSION_CAP),
                SessionCap.flag()
            ),
            ConfigError::ZeroLifetime => format!(
                "{} must be more than zero; set {} to at least 1s, such as 2m",
                self.describe(TokenLifetime, Duration::ZERO),
                TokenLifetime.flag()
            ),
            ConfigError::WindowNotShorterThanLifetime {
                window, lifetime, ..
            } => format!(
                "{} must be shorter than {}; set {} below {}, or {} above {}",
                self.describe(RenewWindow, *window),
                self.describe(TokenLifetime, *lifetime),
                RenewWindow.flag(),
                format_duration(*lifetime),
                TokenLifetime.flag(),
                format_duration(*window)
            ),
            ConfigError::CapShorterThanLifetime { cap, lifetime } => format!(
                "{} must be at least {}; {}, or {} to {} if {} and {} are 0s",
                self.describe(SessionCap, *cap),
                self.describe(TokenLifetime, *lifetime),
                cap_fix(*lifetime),
                SessionCap.flag(),
                format_duration(*lifetime),
                RenewWindow.flag(),
                GracePeriod.flag()
            ),
            ConfigError::CapEqualsLifetime {
                lifetime,
                window,
                grace,
            } => {
                // Only the settings that are not zero are without effect.
                let unused = [(RenewWindow, *window), (GracePeriod, *grace)]
                    .into_iter()
                    .filter(|(_, value)| !value.is_zero())
                    .map(|(setting, value)| self.describe(setting, value))
                    .collect::<Vec<_>>()
                    .join(" and ");
                format!(
                    "{} equals {}, so every token that the server issues expires at the cap and \
                     is never renewed, which leaves {unused} without effect; {}, or {} and {} to \
                     0s for sessions of one token",
                    self.describe(SessionCap, *lifetime),
                    self.describe(TokenLifetime, *lifetime),
                    cap_fix(*lifetime),
                    RenewWindow.flag(),
                    GracePeriod.flag()
                )
            }
            ConfigError::CapTooLong { cap } => format!(
                "{} is longer than the maximum of {}; set {} to {} or less",
                self.describe(SessionCap, *cap),
                format_duration(MAX_SESSION_CAP),
                SessionCap.flag(),
                format_duration(MAX_SESSION_CAP)
            ),
            ConfigError::GraceLongerThanCap { grace, cap } => format!(
                "{} must not be longer than {}, which ends every session first; set {} to {} or \
                 less, or {} to {} or more",
                self.describe(GracePeriod, *grace),
                self.describe(SessionCap, *cap),
                GracePeriod.flag(),
                format_duration(*cap),
                SessionCap.flag(),
                format_duration(*grace)
            ),
            other => other.to_string(),
        }
    }

    /// Returns the flag and its value, such as `--token-lifetime 2m (the default)`.
    fn describe(&self, setting: Setting, value: Duration) -> String {
        let origin = match setting {
            Setting::TokenLifetime => self.origins.token_lifetime,
            Setting::RenewWindow => self.origins.renew_window,
            Setting::GracePeriod => self.origins.grace_period,
            Setting::SessionCap => self.origins.session_cap,
        };
        let flag = setting.flag();
        let value = format_duration(value);
        match origin {
            Origin::CommandLine => format!("{flag} {value}"),
            Origin::Environment => format!("{flag} {value} (from {})", setting.variable()),
            Origin::Default => format!("{flag} {value} (the default)"),
        }
    }
}

/// Returns the change of flags that makes the session cap longer than `lifetime`. At the maximum
/// session cap no cap can be longer, so the lifetime must shrink first.
fn cap_fix(lifetime: Duration) -> String {
    let session_cap = Setting::SessionCap.flag();
    if lifetime < MAX_SESSION_CAP {
        format!("set {session_cap} above {}", format_duration(lifetime))
    } else {
        format!(
            "set {} below {}, the maximum, and {session_cap} above it",
            Setting::TokenLifetime.flag(),
            format_duration(MAX_SESSION_CAP)
        )
    }
}

/// Parses a duration such as "90s", "2m" or "1h 30m".
fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|error| {
        format!("invalid duration {text:?}: {error}; write a number with a unit, such as 90s or 2m")
    })
}

#[cfg(test)]
mod tests {
    use renew_fetch::server::AuthConfig;

    use super::*;

    /// A secret that the builder accepts: 36 bytes that repeat no run.
    const SECRET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

    /// Parses `args`, given after the program name.
    fn parse(args: &[&str]) -> Options {
        let argv = std::iter::once("renew-fetch-demo").chain(args.iter().copied());
        Options::try_parse_args(argv).expect("expected the arguments to parse")
    }

    /// Builds the config from the options and returns the message of its error.
    fn config_error_message(options: &Options) -> String {
        let error = AuthConfig::builder(SECRET)
            .token_lifetime(options.token_lifetime)
            .renew_window(options.renew_window)
            .grace_period(options.grace_period)
            .session_cap(options.session_cap)
            .build()
            .expect_err("expected the settings to be rejected");
        options.describe_config_error(&error)
    }

    #[test]
    fn origins_tell_defaults_from_flags() {
        let options = parse(&["--renew-window", "5m"]);
        assert_eq!(
            options.origins.renew_window,
            Origin::CommandLine,
            "renew window"
        );
        assert_eq!(
            options.origins.token_lifetime,
            Origin::Default,
            "token lifetime"
        );
        assert_eq!(
            options.origins.grace_period,
            Origin::Default,
            "grace period"
        );
        assert_eq!(options.origins.session_cap, Origin::Default, "session cap");
    }

    #[test]
    fn window_error_names_flags_and_default() {
        let message = config_error_message(&parse(&["--renew-window", "5m"]));
        assert_eq!(
            message,
            "--renew-window 5m must be shorter than --token-lifetime 2m (the default); set \
             --renew-window below 2m, or --token-lifetime above 5m"
        );
    }

    #[test]
    fn window_error_names_environment_variable() {
        let mut options = parse(&["--renew-window", "5m", "--token-lifetime", "3m"]);
        options.origins.renew_window = Origin::Environment;
        let message = config_error_message(&options);
        assert_eq!(
            message,
            "--renew-window 5m (from RENEW_FETCH_RENEW_WINDOW) must be shorter than \
             --token-lifetime 3m; set --renew-window below 3m, or --token-lifetime above 5m"
        );
    }

    #[test]
    fn cap_error_names_flags() {
        let message = config_error_message(&parse(&["--token-lifetime", "1h"]));
        assert_eq!(
            message,
            "--session-cap 30m (the default) must be at least --token-lifetime 1h; set \
             --session-cap above 1h, or --session-cap to 1h if --renew-window and \
             --grace-period are 0s"
        );
    }

    #[test]
    fn cap_equal_to_lifetime_names_flags() {
        let message = config_error_message(&parse(&["--session-cap", "2m"]));
        assert_eq!(
            message,
            "--session-cap 2m equals --token-lifetime 2m (the default), so every token that the \
             server issues expires at the cap and is never renewed, which leaves --renew-window 1m (the default) and \
             --grace-period 2m (the default) without effect; set --session-cap above 2m, or \
             --renew-window and --grace-period to 0s for sessions of one token"
        );
    }

    #[test]
    fn grace_error_names_flags() {
        let message = config_error_message(&parse(&["--grace-period", "31m"]));
        assert_eq!(
            message,
            "--grace-period 31m must not be longer than --session-cap 30m (the default), which \
             ends every session first; set --grace-period to 30m or less, or --session-cap to 31m \
             or more"
        );
    }

    #[test]
    fn cap_too_long_error_names_flag() {
        let message = config_error_message(&parse(&["--session-cap", "101years"]));
        assert!(
            message.starts_with("--session-cap 101years is longer than the maximum"),
            "expected the flag and its value first: {message}"
        );
        assert!(
            message.ends_with("set --session-cap to 100years or less"),
            "expected the maximum in the fix: {message}"
        );
    }

    #[test]
    fn lifetime_too_long_error_names_flags() {
        let message = config_error_message(&parse(&["--token-lifetime", "200years"]));
        assert_eq!(
            message,
            "--token-lifetime 200years is longer than the maximum session cap of 100years, and \
             no token may outlive its session; set --token-lifetime below 100years and \
             --session-cap above it"
        );
    }

    #[test]
    fn every_duration_error_fix_builds() {
        // Each case breaks one rule: its arguments, a fix that the message requests, and the
        // arguments that follow that fix, which must build.
        let cases: [(&[&str], &str, &[&str]); 7] = [
            (
                &["--token-lifetime", "1h"],
                "set --session-cap above 1h",
                &["--token-lifetime", "1h", "--session-cap", "1h 1s"],
            ),
            (
                &["--session-cap", "2m"],
                "set --session-cap above 2m",
                &["--session-cap", "2m 1s"],
            ),
            (
                &["--session-cap", "2m"],
                "--renew-window and --grace-period to 0s",
                &[
                    "--session-cap",
                    "2m",
                    "--renew-window",
                    "0s",
                    "--grace-period",
                    "0s",
                ],
            ),
            (
                &["--grace-period", "31m"],
                "set --grace-period to 30m or less",
                &["--grace-period", "30m"],
            ),
            (
                &["--grace-period", "31m"],
                "--session-cap to 31m or more",
                &["--grace-period", "31m", "--session-cap", "31m"],
            ),
            (
                &["--session-cap", "101years"],
                "set --session-cap to 100years or less",
                &["--session-cap", "100years"],
            ),
            (
                &["--token-lifetime", "200years"],
                "set --token-lifetime below 100years and --session-cap above it",
                &["--token-lifetime", "99years", "--session-cap", "100years"],
            ),
        ];
        for (broken, fix, fixed) in cases {
            let message = config_error_message(&parse(broken));
            assert!(
                message.contains(fix),
                "expected the message for {broken:?} to request {fix:?}: {message}"
            );
            let options = parse(fixed);
            let built = AuthConfig::builder(SECRET)
                .token_lifetime(options.token_lifetime)
                .renew_window(options.renew_window)
                .grace_period(options.grace_period)
                .session_cap(options.session_cap)
                .build();
            assert!(
                built.is_ok(),
                "expected {fixed:?}, the fix of {broken:?}, to build: {built:?}"
            );
        }
    }

    #[test]
    fn zero_lifetime_error_names_flag() {
        let message =
            config_error_message(&parse(&["--token-lifetime", "0s", "--renew-window", "0s"]));
        assert_eq!(
            message,
            "--token-lifetime 0s must be more than zero; set --token-lifetime to at least 1s, \
             such as 2m"
        );
    }

    #[test]
    fn sub_second_error_names_flag() {
        let message = config_error_message(&parse(&["--grace-period", "90s 500ms"]));
        assert_eq!(
            message,
            "--grace-period 1m 30s 500ms has a fraction of a second, but token times are whole \
             seconds; set --grace-period to whole seconds, such as 90s"
        );
    }

    #[test]
    fn flags_match_the_command() {
        let command = Options::command();
        for setting in [
            Setting::TokenLifetime,
            Setting::RenewWindow,
            Setting::GracePeriod,
            Setting::SessionCap,
        ] {
            let flag = setting.flag().trim_start_matches("--");
            let argument = command
                .get_arguments()
                .find(|argument| argument.get_long() == Some(flag))
                .unwrap_or_else(|| panic!("expected a flag --{flag}"));
            let variable = argument.get_env().and_then(|name| name.to_str());
            assert_eq!(variable, Some(setting.variable()), "variable of --{flag}");
        }
    }
}
