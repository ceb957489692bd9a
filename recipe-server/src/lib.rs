//! The recipe server: the API and the dashboard.
