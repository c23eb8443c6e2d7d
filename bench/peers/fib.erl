-module(fib).
-export([main/1]).
fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
main([A]) ->
    N = list_to_integer(A),
    T0 = erlang:monotonic_time(microsecond),
    R = fib(N),
    T1 = erlang:monotonic_time(microsecond),
    io:format("~p~n@@ms ~.3f~n", [R, (T1 - T0) / 1000]).
