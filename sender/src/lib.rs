//! The sender: turns jobs into signed calls to the recipe server.
