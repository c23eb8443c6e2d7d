-module(skynet).
-export([main/1, skynet/3]).
%% Leaves send 1 (Kaylee's integers are i32, so the suite counts leaves).
skynet(Parent, 1, _) -> Parent ! 1;
skynet(Parent, Size, Div) ->
    Sub = Size div Div,
    [spawn(skynet, skynet, [self(), Sub, Div]) || _ <- lists:seq(1, Div)],
    Parent ! collect(Div, 0).
collect(0, Sum) -> Sum;
collect(K, Sum) -> receive M -> collect(K - 1, Sum + M) end.
main([A]) ->
    Size = list_to_integer(A),
    T0 = erlang:monotonic_time(microsecond),
    spawn(skynet, skynet, [self(), Size, 10]),
    R = receive M -> M end,
    T1 = erlang:monotonic_time(microsecond),
    io:format("~p~n@@ms ~.3f~n", [R, (T1 - T0) / 1000]).
