module gmpj.bench/httpserver

go 1.19
