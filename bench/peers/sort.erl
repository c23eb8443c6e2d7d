-module(sort).
-export([main/1]).
fill(0, _, Acc) -> Acc;
fill(K, X, Acc) -> Y = (X * 75 + 74) rem 65537, fill(K - 1, Y, [Y | Acc]).
main([A]) ->
    N = list_to_integer(A),
    T0 = erlang:monotonic_time(microsecond),
    S = lists:sort(fill(N, 42, [])),
    T1 = erlang:monotonic_time(microsecond),
    T = list_to_tuple(S),
    io:format("~p~n~p~n~p~n@@ms ~.3f~n", [element(1, T), element(N div 2 + 1, T), element(N, T), (T1 - T0) / 1000]).
