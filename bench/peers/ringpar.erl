-module(ringpar).
-export([main/1, relay/1, last/1]).
%% bench/ringpar.kl's twin: a ring of N processes with Tokens tokens going round it at once,
%% each Laps times; prints the hops.
relay(Next) -> receive M -> Next ! M, relay(Next) end.
last(Main) -> receive M -> Main ! M, last(Main) end.
chain(1, Next) -> Next;
chain(K, Next) -> chain(K - 1, spawn(ringpar, relay, [Next])).
collect(_, _, 0, Hops) -> Hops;
collect(First, N, Tokens, Hops) ->
    receive
        0 -> collect(First, N, Tokens - 1, Hops + N);
        M -> First ! M - 1, collect(First, N, Tokens, Hops + N)
    end.
main([A, B, C]) ->
    N = list_to_integer(A), Tokens = list_to_integer(B), Laps = list_to_integer(C),
    First = chain(N, spawn(ringpar, last, [self()])),
    [First ! Laps - 1 || _ <- lists:seq(1, Tokens)],
    io:format("~p~n", [collect(First, N, Tokens, 0)]).
