package dev.parley.agent.core;

/** What the connection banner shows. */
public enum ConnectionState {
  CONNECTING,
  ONLINE,
  /** Lost; a reconnect is scheduled. */
  RECONNECTING,
  /** The server refused the token; the person must log in again. */
  LOGGED_OUT,
  STOPPED
}
