-module(loop).
-export([main/1]).
loop(N, N, A) -> A;
loop(I, N, A) -> loop(I + 1, N, (A * 31 + I) rem 1000003).
main([A]) ->
    N = list_to_integer(A),
    T0 = erlang:monotonic_time(microsecond),
    R = loop(0, N, 0),
    T1 = erlang:monotonic_time(microsecond),
    io:format("~p~n@@ms ~.3f~n", [R, (T1 - T0) / 1000]).
