"""The `/v1` API (issue 21): OpenAI's chat completions and models, Anthropic's messages,
for every user over every endpoint, through the same engine as a chat turn.

    views       the edge: key, rate limit, parse, one relay call, render (async, SSE)
    wire        OpenAI's and Anthropic's request and response shapes (openai_wire,
                anthropic_wire), parsed into one `Call`
    catalog     the models a user (and key) may use, by `endpoint/model` or bare name
    relay       a `Call` run as an engine turn (chatapp.engine.turns), its events read
                from the hub as the chat socket reads them
    errors      one `ApiError` (status, type, code, message) from every refusal
    usage       the usage dashboard's figures, from the balance transactions
"""
