// The hall display: each call from the server's event stream joins a queue shown and (once
// the screen's operator allows sound) spoken in turn, so calls never overwrite each other.
(function () {
  var me = document.currentScript;
  var now = document.getElementById('now');
  var list = document.getElementById('calls');
  var button = document.getElementById('speak');
  var queue = [];
  var busy = false;
  var speak = false;
  var seen = {};
  if ('speechSynthesis' in window) {
    button.hidden = false;
    button.addEventListener('click', function () { speak = true; button.hidden = true; });
  }
  function next() {
    if (busy || queue.length === 0) return;
    busy = true;
    var c = queue.shift();
    now.textContent = c.text;
    var li = document.createElement('li');
    var n = document.createElement('span');
    n.className = 'call-number';
    n.textContent = c.number;
    var w = document.createElement('span');
    w.className = 'call-window';
    w.textContent = me.dataset.window + ' ' + c.window;
    li.appendChild(n);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(w);
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 10) list.removeChild(list.lastChild);
    var done = function () { busy = false; next(); };
    if (speak) {
      var u = new SpeechSynthesisUtterance(c.text);
      u.lang = document.documentElement.lang;
      u.onend = done;
      u.onerror = done;
      window.speechSynthesis.speak(u);
    } else {
      setTimeout(done, 1500);
    }
  }
  var source = new EventSource(me.dataset.events);
  source.addEventListener('call', function (e) {
    if (seen[e.lastEventId]) return;
    seen[e.lastEventId] = true;
    queue.push(JSON.parse(e.data));
    document.body.dataset.calls = String((Number(document.body.dataset.calls) || 0) + 1);
    next();
  });
})();
