/* global window, document, navigator, fetch, CustomEvent, crypto, location, Element, URL */
// Patron's cookie banner for a storefront (PV-23, PV-24), served as GET /privacy/consent.js. No framework, no
// inline markup or <style> (it styles through the CSSOM, which a strict Content-Security-Policy allows), no eval.
// Before a choice it stores nothing: the device ID cookie (first-party, on the storefront's own origin) is written
// only when the visitor chooses. The storefront asks `PatronConsent.ready` (a promise of the categories) or listens
// for the `patron:consent` event before it loads analytics or advertising tags. README.md shows the snippet.
(function () {
  'use strict';
  if (window.PatronConsent) return;
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src).origin : location.origin;
  var api = base + '/api/v1/privacy/consent';
  var cookieName = 'patron_consent_device';
  var maxAgeSeconds = 395 * 24 * 60 * 60;
  var purposes = [
    ['analytics', 'Analytics', 'Counts visits and how pages are used, so we can improve the shop.'],
    ['advertising', 'Advertising (sale/share)', 'Lets advertising partners show you our ads elsewhere; this counts as selling or sharing personal information.'],
    ['personalization', 'Personalization', 'Remembers what you looked at to suggest products.'],
  ];
  var state = null;
  var listeners = [];
  var resolveReady;
  var ready = new Promise(function (resolve) {
    resolveReady = resolve;
  });
  var pageGpc = navigator.globalPrivacyControl === true;

  function readDevice() {
    var match = document.cookie.match(new RegExp('(?:^|; )' + cookieName + '=([A-Za-z0-9_-]{16,64})'));
    return match ? match[1] : null;
  }
  function newDevice() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function keepDevice(id) {
    document.cookie = cookieName + '=' + id + '; Max-Age=' + maxAgeSeconds + '; Path=/; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  }
  function css(el, styles) {
    for (var key in styles) el.style.setProperty(key, styles[key]);
    return el;
  }
  function make(tag, text, styles) {
    var el = document.createElement(tag);
    if (text) el.textContent = text;
    return styles ? css(el, styles) : el;
  }
  // "Reject all" and "Accept all" are the same element with the same styles (PV-23: as prominent as each other).
  function choiceButton(label, onClick) {
    var button = make('button', label, { font: 'inherit', 'font-weight': '600', padding: '10px 18px', 'min-width': '140px', border: '2px solid #1f2937', 'border-radius': '6px', background: '#1f2937', color: '#fff', cursor: 'pointer' });
    button.type = 'button';
    button.addEventListener('click', onClick);
    return button;
  }
  function publish(next) {
    state = next;
    resolveReady(next.categories);
    listeners.forEach(function (fn) { fn(next.categories); });
    document.dispatchEvent(new CustomEvent('patron:consent', { detail: next.categories }));
  }
  function load() {
    var device = readDevice();
    var query = [];
    if (device) query.push('deviceId=' + device);
    if (pageGpc) query.push('gpc=1');
    return fetch(api + (query.length ? '?' + query.join('&') : ''), { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('consent ' + r.status);
      return r.json();
    });
  }
  function save(choices, method) {
    var device = readDevice() || newDevice();
    keepDevice(device);
    return fetch(api, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deviceId: device, choices: choices, method: method, gpc: pageGpc }) })
      .then(function (r) {
        if (!r.ok) throw new Error('consent ' + r.status);
        return r.json();
      })
      .then(function (next) {
        close();
        publish(next);
        return next.categories;
      });
  }
  var panel = null;
  function close() {
    if (panel) panel.remove();
    panel = null;
  }
  function all(value) {
    var choices = {};
    purposes.forEach(function (p) { choices[p[0]] = value; });
    return choices;
  }
  function open(withSettings) {
    close();
    var gpc = state && state.gpc;
    panel = make('div', null, { position: 'fixed', left: '16px', right: '16px', bottom: '16px', 'max-width': '640px', margin: '0 auto', background: '#fff', color: '#111827', border: '1px solid #d1d5db', 'border-radius': '10px', padding: '20px', 'box-shadow': '0 10px 30px rgba(0,0,0,.2)', 'z-index': '2147483647', font: '15px/1.5 system-ui, sans-serif' });
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', 'Cookie settings');
    panel.appendChild(make('h2', 'Your cookie choices', { margin: '0 0 8px', 'font-size': '18px' }));
    panel.appendChild(make('p', 'We use necessary cookies to run this shop. With your permission we also use cookies for analytics, advertising and personalization. You can change your mind at any time under “Cookie settings”.', { margin: '0 0 12px' }));
    if (gpc) panel.appendChild(make('p', 'Opt-out preference signal honored: your browser asks us not to sell or share your personal information, so advertising stays off.', { margin: '0 0 12px', 'font-weight': '600' }));
    var boxes = {};
    if (withSettings) {
      purposes.forEach(function (p) {
        var label = make('label', null, { display: 'block', margin: '0 0 8px' });
        var box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = Boolean(state && state.categories[p[0]]);
        if (p[0] === 'advertising' && gpc) box.disabled = true;
        boxes[p[0]] = box;
        label.appendChild(box);
        label.appendChild(make('strong', ' ' + p[1] + ': '));
        label.appendChild(document.createTextNode(p[2]));
        panel.appendChild(label);
      });
    }
    var row = make('div', null, { display: 'flex', 'flex-wrap': 'wrap', gap: '12px', 'margin-top': '12px' });
    row.appendChild(choiceButton('Reject all', function () { save(all(false), 'banner'); }));
    row.appendChild(choiceButton('Accept all', function () { save(all(true), 'banner'); }));
    if (withSettings) {
      var saveButton = make('button', 'Save choices', { font: 'inherit', padding: '10px 18px', border: '1px solid #6b7280', 'border-radius': '6px', background: '#fff', color: '#111827', cursor: 'pointer' });
      saveButton.type = 'button';
      saveButton.addEventListener('click', function () {
        var choices = {};
        purposes.forEach(function (p) { choices[p[0]] = boxes[p[0]].checked; });
        save(choices, 'settings');
      });
      row.appendChild(saveButton);
    } else {
      var more = make('button', 'Settings', { font: 'inherit', padding: '10px 4px', border: '0', background: 'none', color: '#1d4ed8', 'text-decoration': 'underline', cursor: 'pointer' });
      more.type = 'button';
      more.addEventListener('click', function () { open(true); });
      row.appendChild(more);
    }
    panel.appendChild(row);
    document.body.appendChild(panel);
  }
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-patron-consent-settings]') : null;
    if (!target) return;
    event.preventDefault();
    open(true);
  });
  window.PatronConsent = {
    ready: ready,
    categories: function () { return state ? state.categories : null; },
    has: function (category) { return Boolean(state && state.categories[category]); },
    onChange: function (fn) { listeners.push(fn); },
    openSettings: function () { open(true); },
    state: function () { return state; },
  };
  function start() {
    load().then(function (current) {
      publish(current);
      if (current.ask) open(false);
    }, function () {
      // Without an answer nothing optional may load: only necessary storage, as before a choice.
      publish({ categories: { necessary: true, analytics: false, advertising: false, personalization: false }, gpc: pageGpc, ask: false });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
