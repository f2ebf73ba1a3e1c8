from django.urls import path

from regard.channels.chat import host_demo, stream, views

app_name = "chat"
urlpatterns = [
    path("start", views.start, name="start"),
    path("messages", views.messages, name="messages"),
    path("typing", views.typing, name="typing"),
    path("offline", views.offline, name="offline"),
    path("transcript", views.transcript, name="transcript"),
    path("stream", stream.stream, name="stream"),
    path("demo/", host_demo.host_demo, name="host_demo"),  # a pretend shop with the widget
]
