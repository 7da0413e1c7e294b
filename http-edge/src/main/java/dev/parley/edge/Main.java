package dev.parley.edge;

import com.typesafe.config.ConfigFactory;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Starts one Parley node with the configuration from application.conf and PARLEY_* environment variables. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    ParleyServer server;
    try {
      server = ParleyServer.start(ConfigFactory.load());
    } catch (RuntimeException e) {
      System.err.println("Parley could not start: " + rootMessage(e));
      System.exit(1);
      return;
    }
    // Printed to the terminal, never logged: the one time anyone sees this password.
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println();
    out.println("  Parley is running at " + server.publicUrl());
    server
        .firstStartCredentials()
        .ifPresent(
            c -> {
              out.println("  First start: created the site 'demo' and an admin account.");
              out.println("  首次启动：已创建演示站点 'demo' 和管理员账号。");
              out.println("    username / 用户名: " + c.username());
              out.println("    password / 密码:   " + c.password());
              out.println("  This password is shown only now. 此密码只显示这一次，请妥善保存。");
            });
    out.println();
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
