// The console's live connection: the agents' WebSocket (/ws/agent, docs/PROTOCOL.md) with the signed-in token,
// reconnecting with backoff and jitter, pinging at the server's heartbeat. Frames go to one listener.
import { token } from './api.js';

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30000;
const PING_MS = 15000;

export class Live {
  constructor(onFrame, onState) {
    this.onFrame = onFrame;
    this.onState = onState; // 'connecting' | 'online' | 'offline' | 'signed-out'
    this.ws = null; // owned by this object; null between connections
    this.backoff = BACKOFF_START_MS;
    this.closed = false;
    this.pinger = null;
    this.retry = null;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    this.onState('connecting');
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/agent';
    const ws = new WebSocket(url);
    this.ws = ws;
    // observe: the console only watches; it must not make the account available for offers (PROTOCOL.md §2).
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token: token(), observe: true }));
    ws.onmessage = (e) => {
      let f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      if (f.type === 'welcome') {
        this.backoff = BACKOFF_START_MS;
        this.onState('online');
        clearInterval(this.pinger);
        this.pinger = setInterval(() => this.send({ type: 'ping' }), Math.min(PING_MS, f.heartbeatMs || PING_MS));
      } else if (f.type === 'error' && (f.code === 'invalid-token' || f.code === 'token-expired')) {
        this.closed = true;
        this.onState('signed-out');
        ws.close();
      }
      this.onFrame(f);
    };
    ws.onclose = () => {
      clearInterval(this.pinger);
      if (this.ws === ws) this.ws = null;
      if (this.closed) return;
      this.onState('offline');
      const delay = this.backoff * (0.8 + Math.random() * 0.4);
      this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
      this.retry = setTimeout(() => this.connect(), delay);
    };
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  close() {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.pinger);
    if (this.ws) this.ws.close();
  }
}
