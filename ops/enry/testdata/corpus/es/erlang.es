#!/usr/bin/env escript
main(_) ->
    io:format("hi~n").
