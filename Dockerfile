# Multi-stage build: compile with the Maven wrapper, then run the layered jar as a non-root user.
# The root filesystem can be read-only: only /app/data (H2, when no SPRING_DATASOURCE_URL is given) and /tmp are written.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src/ src/
COPY routes/ routes/
RUN ./mvnw -B -q package -DskipTests \
 && java -Djarmode=tools -jar target/jlm-klaviyo.jar extract --layers --launcher --destination target/extracted

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 jlm \
 && useradd --system --uid 10001 --gid jlm --home-dir /app --shell /usr/sbin/nologin jlm \
 && mkdir -p /app/data \
 && chown jlm:jlm /app/data
WORKDIR /app
COPY --from=build /src/target/extracted/dependencies/ ./
COPY --from=build /src/target/extracted/spring-boot-loader/ ./
COPY --from=build /src/target/extracted/snapshot-dependencies/ ./
COPY --from=build /src/target/extracted/application/ ./
USER 10001:10001
VOLUME ["/app/data", "/tmp"]
EXPOSE 8080
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
