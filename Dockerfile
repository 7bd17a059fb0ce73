# One LeaderKV node. Configured entirely by environment variables (see README.md); docker-compose.yml
# runs a leader and five followers from this image, as the seed's lab did.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so the restore layer is reused until a dependency changes.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/LeaderKv.Core/LeaderKv.Core.csproj src/LeaderKv.Core/
COPY src/LeaderKv.Storage/LeaderKv.Storage.csproj src/LeaderKv.Storage/
COPY src/LeaderKv.Node/LeaderKv.Node.csproj src/LeaderKv.Node/
RUN dotnet restore src/LeaderKv.Node/LeaderKv.Node.csproj
COPY src/LeaderKv.Core/ src/LeaderKv.Core/
COPY src/LeaderKv.Storage/ src/LeaderKv.Storage/
COPY src/LeaderKv.Node/ src/LeaderKv.Node/
RUN dotnet publish src/LeaderKv.Node/LeaderKv.Node.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The seed's nodes listen on port 80 and address each other as http://follower-N:80.
# ASPNETCORE_HTTP_PORTS is the image's own default (8080); set it to the same port so nothing else binds.
ENV PORT=80 \
    ASPNETCORE_HTTP_PORTS=80
EXPOSE 80
ENTRYPOINT ["dotnet", "LeaderKv.Node.dll"]
