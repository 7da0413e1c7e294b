package dev.parley.edge.admin;

import dev.parley.edge.admission.ClientAddress;
import dev.parley.edge.SiteCache;
import dev.parley.edge.auth.AuthSettings;
import dev.parley.edge.auth.LoginThrottle;
import dev.parley.edge.auth.PasswordHashing;
import dev.parley.edge.auth.Revocations;
import dev.parley.edge.auth.SecretBox;
import dev.parley.edge.auth.Tokens;
import dev.parley.persistence.audit.AuditLog;
import dev.parley.persistence.directory.Directory;
import dev.parley.persistence.directory.QuickReplies;
import dev.parley.persistence.directory.TwoFactorStore;
import java.time.Clock;
import java.util.concurrent.Executor;

/**
 * What the HTTP API's routes share. {@code blocking} is the shared pool for database work of signed-in callers;
 * {@code hashing} the separate bounded pool for passwords; {@code totpSecrets} encrypts two-factor secrets at rest;
 * {@code audit} is the audit log ({@link AuditTrail} writes the API's entries).
 */
public record ApiContext(
    Tokens tokens,
    Directory directory,
    SiteCache sites,
    Executor blocking,
    Clock clock,
    QuickReplies quickReplies,
    AuthSettings auth,
    PasswordHashing hashing,
    LoginThrottle throttle,
    Revocations revocations,
    TwoFactorStore twoFactor,
    SecretBox totpSecrets,
    ClientAddress clientAddress,
    AuditLog audit) {}
