"""One turn, in the order it travels (DESIGN §2):

a `send`, `regenerate` or `edit` from an edge (the chat socket, the API), as plain values
  ▶ turns        the actions an edge calls: send, regenerate, edit, stop, subscribe;
                 each refuses with the one `refusal.Refusal`, which the edge translates
  ▶ admission    guards (ban, limits, model, balance pre-flight) and moderation
  ▶ records      the user message and the response placeholder, saved before any provider call
  ▶ request      the endpoint's request for the turn (prompt, parameters, headers, keys)
  ▶ prompt       the branch (chatapp.branches) as sent, and as the balance pre-flight prices it
  ▶ context      the branch fitted to the model's window
  ▶ generation   adapter.stream(request) as a task of this process, outliving any socket;
                 its tool loop: model → tool calls → tools → results → model
    ▶ steps      a reply's tool calls run in parallel, each to a clear end, and saved
    ▶ pacing     deltas coalesced at the endpoint's streamRate
    ▶ clock      one timer per streamRate for every generation
    ▶ events     frames (built by `frames`) published to the conversation's group
    ▶ hub        to this process's sockets directly; the channel layer for the others
    ▶ control    stop and catch-up requests from any process, on one channel per process
    ▶ catchup    a late socket's snapshot joined to the live deltas without gap or overlap
    ▶ heartbeat  partial text of every stream saved once a second
    ▶ recovery   a dead process's responses marked interrupted
  ▶ settlement   once the response has ended: billing, indexing, titles
"""
