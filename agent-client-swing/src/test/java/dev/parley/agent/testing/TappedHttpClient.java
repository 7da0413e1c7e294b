package dev.parley.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.agent.core.Json;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A real {@link HttpClient} whose WebSockets pass through a tap, for tests that must see what a client sends and
 * change what it receives, as Playwright's {@code routeWebSocket} does for the widget: every text frame the client
 * sends is recorded, server frames matching {@link #holdBack(Predicate)} are kept from the client, and
 * {@link #toClient} hands the client's listener a frame as if the server had sent it on the current socket.
 * Everything else goes to and comes from the real server unchanged; the client under test gets this through its
 * ordinary constructor, so the client's code has no seam for tests.
 */
public final class TappedHttpClient extends HttpClient {

  private final HttpClient real;
  // Guarded by this.
  private final List<JsonNode> sent = new ArrayList<>();
  private final List<JsonNode> heldBack = new ArrayList<>();
  private Predicate<JsonNode> holdBack = f -> false;
  private Tap current;

  public TappedHttpClient(HttpClient real) {
    this.real = real;
  }

  /** Server frames matching this are recorded and not passed to the client, until another predicate is set. */
  public synchronized void holdBack(Predicate<JsonNode> which) {
    holdBack = which;
  }

  public synchronized List<JsonNode> sent() {
    return List.copyOf(sent);
  }

  public synchronized List<JsonNode> heldBack() {
    return List.copyOf(heldBack);
  }

  /** Hands {@code frame} to the client as the next frame of its current socket. */
  public void toClient(String frame) {
    Tap tap;
    synchronized (this) {
      tap = current;
    }
    if (tap == null) {
      throw new IllegalStateException("the client has no socket yet");
    }
    tap.inject(frame);
  }

  private synchronized boolean keep(String text) {
    JsonNode frame = parse(text);
    if (holdBack.test(frame)) {
      heldBack.add(frame);
      return true;
    }
    return false;
  }

  private synchronized void recordSent(String text) {
    sent.add(parse(text));
  }

  private static JsonNode parse(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    WebSocket.Builder builder = real.newWebSocketBuilder();
    return new WebSocket.Builder() {
      @Override
      public WebSocket.Builder header(String name, String value) {
        builder.header(name, value);
        return this;
      }

      @Override
      public WebSocket.Builder connectTimeout(Duration timeout) {
        builder.connectTimeout(timeout);
        return this;
      }

      @Override
      public WebSocket.Builder subprotocols(String mostPreferred, String... lesserPreferred) {
        builder.subprotocols(mostPreferred, lesserPreferred);
        return this;
      }

      @Override
      public CompletableFuture<WebSocket> buildAsync(URI uri, WebSocket.Listener listener) {
        Tap tap = new Tap(listener);
        synchronized (TappedHttpClient.this) {
          current = tap;
        }
        return builder.buildAsync(uri, tap).thenApply(ws -> {
          tap.socket = ws;
          return tap.facade;
        });
      }
    };
  }

  /** One socket: the client sees {@link #facade}; the JDK calls this listener, which passes frames on. */
  private final class Tap implements WebSocket.Listener {
    private final WebSocket.Listener client;
    private volatile WebSocket socket;
    // Guarded by this: true while a server message has arrived only in part, when no frame may be slipped in.
    private boolean midMessage;

    private final WebSocket facade = new WebSocket() {
      @Override
      public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
        recordSent(data.toString()); // the client sends whole frames
        return socket.sendText(data, last).thenApply(ws -> this);
      }

      @Override
      public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
        return socket.sendBinary(data, last).thenApply(ws -> this);
      }

      @Override
      public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
        return socket.sendPing(message).thenApply(ws -> this);
      }

      @Override
      public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
        return socket.sendPong(message).thenApply(ws -> this);
      }

      @Override
      public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
        return socket.sendClose(statusCode, reason).thenApply(ws -> this);
      }

      @Override
      public void request(long n) {
        socket.request(n);
      }

      @Override
      public String getSubprotocol() {
        return socket.getSubprotocol();
      }

      @Override
      public boolean isOutputClosed() {
        return socket.isOutputClosed();
      }

      @Override
      public boolean isInputClosed() {
        return socket.isInputClosed();
      }

      @Override
      public void abort() {
        socket.abort();
      }
    };

    Tap(WebSocket.Listener client) {
      this.client = client;
    }

    synchronized void inject(String frame) {
      long deadline = System.nanoTime() + Await.WAIT.toNanos();
      while (midMessage) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the server's frame never ended, so nothing could be slipped in");
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      client.onText(facade, frame, true);
    }

    @Override
    public void onOpen(WebSocket ws) {
      socket = ws;
      client.onOpen(facade);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      synchronized (this) {
        if (midMessage || !last) {
          // Frames in parts are passed on as they come; this test tap holds back whole frames only.
          midMessage = !last;
          notifyAll();
          return client.onText(facade, data, last);
        }
      }
      if (keep(data.toString())) {
        ws.request(1);
        return null;
      }
      synchronized (this) {
        return client.onText(facade, data, last);
      }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      return client.onBinary(facade, data, last);
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      return client.onPing(facade, message);
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      return client.onPong(facade, message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      return client.onClose(facade, statusCode, reason);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      client.onError(facade, error);
    }
  }

  // Everything else is the real client's. ------------------------------------------------------------------------

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return real.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return real.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return real.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return real.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return real.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return real.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return real.authenticator();
  }

  @Override
  public Version version() {
    return real.version();
  }

  @Override
  public Optional<Executor> executor() {
    return real.executor();
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return real.send(request, handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return real.sendAsync(request, handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
    return real.sendAsync(request, handler, push);
  }
}
